"""The shared ``ipython_capture`` fixture: a capture that earlier tests cannot spoil."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import Image, Markdown, display

from analys.report import overview

# a 1×1 PNG
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_a_capture_sees_text_and_images(ipython_capture):
    with ipython_capture() as shown:
        display(Markdown("**Hej**"))
        display(Image(data=PIXEL, format="png"))
    assert shown.text.startswith("**Hej**") and shown.images == 1


def test_a_disabled_formatter_left_by_another_test_does_not_matter(ipython_capture):
    formatter = InteractiveShell.instance().display_formatter
    formatter.formatters["image/png"].enabled = False  # as a careless test might leave it
    formatter.mimebundle_formatter.enabled = False
    try:
        with ipython_capture() as shown:
            display(Image(data=PIXEL, format="png"))
        assert shown.images == 1
        assert InteractiveShell.instance().display_formatter is formatter  # put back after
    finally:
        formatter.formatters["image/png"].enabled = True
        formatter.mimebundle_formatter.enabled = True


def test_a_display_function_left_replaced_is_named(ipython_capture, monkeypatch):
    monkeypatch.setattr(overview, "show_figure", lambda figure: None)
    with pytest.raises(AssertionError, match=r"analys\.report\.overview\.show_figure"):
        with ipython_capture():
            pass
