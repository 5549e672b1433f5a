# mistake: `;` between commands hides a failed install of a package that does not exist
# source: https://github.com/moul/docker-icecast/issues/12
# lesson: lesson4
# expect: apt-package-name
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update; apt-get install -y gcc-compiler; echo done
