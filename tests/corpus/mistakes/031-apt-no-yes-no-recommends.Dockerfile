# mistake: apt-get install with options but no -y
# source: https://github.com/mendersoftware/integration/pull/2760
# lesson: lesson4
# expect: apt-yes
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install --no-install-recommends gcc libc6-dev
