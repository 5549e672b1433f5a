"""docker-lessons: the `checks` command grades each lesson on the learner's own Docker engine."""

__version__ = "0.1.0"
