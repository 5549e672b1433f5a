# mistake: ADD for local files (the old Compose/Django sample)
# source: https://github.com/docker/docs/issues/6729
# lesson: lesson3
# expect: copy-not-add
FROM python:3.13-slim
WORKDIR /usr/src/app
ADD . .
