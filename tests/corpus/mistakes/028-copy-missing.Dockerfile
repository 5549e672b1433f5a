# mistake: forgot to copy anything into the image
# source: https://github.com/pypa/pipenv/issues/2969
# lesson: lesson3
# expect: copy-present
FROM python:3.13-slim
WORKDIR /usr/src/app
