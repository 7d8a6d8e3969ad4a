"""Fanpin Desktop: the township workstation for 防返贫监测帮扶."""

__version__ = "0.1.0"
APP_NAME = "FanpinDesktop"
APP_TITLE = "防返贫监测帮扶工作站"
