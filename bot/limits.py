"""Limits of the Discord front end that the config checks too; a module without discord.py,
so the offline commands can read the config without loading it. (The limits both front ends
share are in index/limits.py.)"""

from __future__ import annotations

# Passages one answer shows at most (five quotes fit an embed); "More" pages through the rest.
MAX_RESULTS_PER_PAGE = 5
