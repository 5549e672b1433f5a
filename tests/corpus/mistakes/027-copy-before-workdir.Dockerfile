# mistake: COPY . . before WORKDIR, so the app lands in /
# source: https://www.levenx.com/en/issues/what-is-the-function-of-cmd-instruction-in-dockerfile
# lesson: lesson3
# expect: copy-after-workdir
FROM python:3.13-slim
COPY . .
WORKDIR /usr/src/app
