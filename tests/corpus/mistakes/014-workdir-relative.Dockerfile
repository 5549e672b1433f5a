# mistake: a relative WORKDIR right after FROM
# source: https://github.com/GoogleContainerTools/kaniko/issues/1222
# lesson: lesson2
# expect: workdir-absolute
FROM python:3.13-slim
WORKDIR foobar
