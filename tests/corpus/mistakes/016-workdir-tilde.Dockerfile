# mistake: WORKDIR ~/app: no shell expands ~ there, so the folder is literally /~/app
# source: https://github.com/shadowsocksr/shadowsocksr/pull/259
# lesson: lesson2
# expect: workdir-absolute
FROM python:3.13-slim
WORKDIR ~/app
