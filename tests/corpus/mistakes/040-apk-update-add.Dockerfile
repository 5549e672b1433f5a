# mistake: apk update && apk add from an Alpine tutorial
# source: https://github.com/gliderlabs/docker-alpine/issues/158
# lesson: lesson4
# expect: apt-package-manager
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apk update && apk add gcc
