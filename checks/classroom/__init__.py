"""The classroom: a live progress board for the instructor (`checks classroom serve`), the learner's
side of it (`checks join`, `checks leave`, the report after every `checks lessonN`), and the
workshop kit.

The learner's side (client.py) uses the standard library only; the board (server.py) needs the
`classroom` extra: `pip install '.[classroom]'` in a clone of the course.
"""
