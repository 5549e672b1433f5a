# mistake: --trusted-host with no value takes -r as its value, so pip looks for a package named requirements.txt
# source: https://github.com/mnot/redbot/issues/267
# lesson: lesson5
# expect: pip-install-requirements
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir --trusted-host -r requirements.txt
