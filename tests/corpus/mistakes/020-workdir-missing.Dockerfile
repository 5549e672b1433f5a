# mistake: no WORKDIR at all, so relative paths land in /
# source: https://github.com/Enalean/docker-tuleap-aio/issues/2
# lesson: lesson2
# expect: workdir-set
FROM python:3.13-slim
