# mistake: RUN mkdir before WORKDIR, which creates the folder itself
# source: https://github.com/docker/docs/issues/6729
# lesson: lesson2
# expect: workdir-no-mkdir
FROM python:3.13-slim
RUN mkdir /usr/src/app
WORKDIR /usr/src/app
