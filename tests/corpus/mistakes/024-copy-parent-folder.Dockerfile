# mistake: COPY ../ : outside the build context
# source: https://github.com/nickjj/docker-django-example/issues/11
# lesson: lesson3
# expect: copy-source-exists
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY ../ .
