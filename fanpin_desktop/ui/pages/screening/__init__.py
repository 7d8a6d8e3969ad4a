"""集中排查 pages: campaign, appendix 1 entry list, appendix 2, appendix 3 statistics, progress."""

from fanpin_desktop.ui.pages.screening.page import ScreeningPage

__all__ = ["ScreeningPage"]
