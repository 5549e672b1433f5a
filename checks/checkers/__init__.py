"""One module per lesson (`lesson1.py` …), one small function per check, registered with @check."""
