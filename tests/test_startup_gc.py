"""Start-up tunes the garbage collector for bursts of taps (bot.tune_garbage_collection)."""

from __future__ import annotations

import gc

from bot import YOUNG_GC_THRESHOLD, tune_garbage_collection


def test_start_up_freezes_what_it_loaded_once_and_collects_young_objects_less_often() -> None:
    threshold, already_frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        tune_garbage_collection()
        assert gc.get_threshold() == (YOUNG_GC_THRESHOLD, *threshold[1:])
        frozen = gc.get_freeze_count()
        assert frozen > 0
        tune_garbage_collection()  # a second start-up in this process freezes nothing more
        assert gc.get_freeze_count() <= frozen
    finally:
        gc.set_threshold(*threshold)
        if not already_frozen:
            gc.unfreeze()
