# mistake: copied FROM python:3.8-slim-buster from an old tutorial
# source: https://github.com/docker/docs/issues/13576
# lesson: lesson1
# expect: base-image-supported
FROM python:3.8-slim-buster
