"""briefbot's front ends: the command line and the Discord bot, both over `index`."""
