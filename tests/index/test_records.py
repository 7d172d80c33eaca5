"""index/records.py: a quick __init__ must make the very object the dataclass's own would."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from index.cite import Citation
from index.library import BriefInfo
from index.passages import Passage
from index.records import from_fields, quick_init
from index.search import Hit

QUICK = (Passage, Citation, Hit, BriefInfo)


def _as_dataclass_makes_it(cls: type) -> type:
    """The same fields as a frozen dataclass with the __init__ dataclasses writes."""
    fields = [(f.name, f.type, f) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


def _sample_args(cls: type) -> dict[str, object]:
    """A distinct value for every field without a default (the defaults left to apply)."""
    values: dict[str, object] = {}
    for n, f in enumerate(dataclasses.fields(cls)):
        if f.default is dataclasses.MISSING:
            values[f.name] = f"{f.name}-{n}" if "str" in str(f.type) else n + 7
    return values


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_quick_init_has_the_dataclass_signature(cls: type) -> None:
    assert inspect.signature(cls) == inspect.signature(_as_dataclass_makes_it(cls))


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_quick_init_makes_what_the_dataclass_init_makes(cls: type) -> None:
    args = _sample_args(cls)
    quick, plain = cls(**args), _as_dataclass_makes_it(cls)(**args)
    assert dataclasses.asdict(quick) == dataclasses.asdict(plain)
    assert vars(quick) == vars(plain)  # every field set, defaults included, nothing else
    assert quick == cls(**args) and hash(quick) == hash(cls(**args))
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.__setattr__(dataclasses.fields(cls)[0].name, "changed")


def test_quick_init_refuses_what_it_cannot_do_alike() -> None:
    @dataclasses.dataclass
    class Open:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True)
    class Listed:
        a: list[int] = dataclasses.field(default_factory=list)

    for cls in (Open, Checked, Listed):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_quick_init_keeps_defaults_and_refuses_missing_or_unknown_arguments() -> None:
    p = Passage("b:1", "b", 1, 0, 0, 5, "hello")
    assert p.page == 0
    with pytest.raises(TypeError):
        Passage("b:1", "b", 1, 0, 0, 5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Passage("b:1", "b", 1, 0, 0, 5, "hello", page=2, pages=3)  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_quick_records_copy_pickle_and_replace_as_dataclasses_do(cls: type) -> None:
    record = cls(**_sample_args(cls))
    assert pickle.loads(pickle.dumps(record)) == record
    assert copy.copy(record) == record and copy.deepcopy(record) == record
    first = dataclasses.fields(cls)[0].name
    changed = dataclasses.replace(record, **{first: "other"})
    assert getattr(changed, first) == "other" and changed != record


@pytest.mark.parametrize("cls", QUICK)
def test_made_from_a_dict_of_its_fields_it_is_the_same_object(cls):
    values = _sample_args(cls)
    for f in dataclasses.fields(cls):
        values.setdefault(f.name, f.default)
    made = from_fields(cls, dict(values))
    assert made == cls(**values) and repr(made) == repr(cls(**values))
    assert hash(made) == hash(cls(**values)) and vars(made) == vars(cls(**values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "values",
    [
        {"id": "a"},  # a field missing
        {**{f.name: 1 for f in dataclasses.fields(BriefInfo)}, "extra": 1},
        ["id", "a"],
        None,
        "a record",
    ],
)
def test_anything_but_a_dict_of_its_fields_is_refused_as_its_init_would(values):
    with pytest.raises(TypeError):
        from_fields(BriefInfo, values)


def test_from_fields_takes_only_quick_classes():
    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int

    with pytest.raises(TypeError, match="not a quick_init class"):
        from_fields(Plain, {"a": 1})
