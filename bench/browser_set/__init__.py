"""An independent, browser-rendered labelled evaluation set (see `build.py`)."""
