# mistake: apk (Alpine's package manager) on the Debian-based slim image
# source: https://github.com/docker-library/python/issues/184
# source: https://techoverflow.net/2022/12/25/how-to-correctly-use-apk-in-dockerfile/
# lesson: lesson4
# expect: apt-package-manager
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apk add --no-cache gcc musl-dev
