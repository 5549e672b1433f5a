# mistake: pip install -r requirements.txt before the file is in the image
# source: https://github.com/crowdata/crowdata/issues/28
# source: https://github.com/tacoinfra/remote-signer/issues/25
# lesson: lesson5
# expect: requirements-before-pip
FROM python:3.13-slim
WORKDIR /usr/src/app
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
