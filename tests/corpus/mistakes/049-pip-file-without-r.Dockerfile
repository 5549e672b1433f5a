# mistake: pip install requirements.txt without -r (pip looks for a package named requirements.txt)
# source: https://github.com/ltsdw/gofile-downloader/issues/18
# source: https://github.com/GregDMeyer/IT8951/issues/1
# lesson: lesson5
# expect: pip-install-requirements
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir requirements.txt
