# mistake: RUN cd instead of WORKDIR: the cd ends with its RUN
# source: https://github.com/nunofonseca/irap/issues/11
# lesson: lesson2
# expect: workdir-not-cd
FROM python:3.13-slim
RUN mkdir -p /usr/src/app && cd /usr/src/app
