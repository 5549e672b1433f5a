# mistake: pip install before gcc is installed
# source: https://github.com/tecoholic/ner-annotator/issues/24
# lesson: lesson5
# expect: gcc-before-pip
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
RUN apt-get update && apt-get install -y gcc
