# mistake: pinned back to python:3.9 to dodge a Flask/Python 3.10 error; 3.9 has since reached its end of life
# source: https://github.com/prakhar1989/docker-curriculum/issues/325
# lesson: lesson1
# expect: base-image-supported
FROM python:3.9
