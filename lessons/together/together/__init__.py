"""together: the sample web app of the docker-lessons tutorial."""

__version__ = "0.0.1"
