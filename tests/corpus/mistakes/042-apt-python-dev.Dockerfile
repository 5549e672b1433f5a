# mistake: a package name from an older Debian (`has no installation candidate`)
# source: https://github.com/cairis-platform/cairis/issues/649
# lesson: lesson4
# expect: apt-package-name
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc python-dev
