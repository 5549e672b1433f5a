# mistake: no compiler installed: `error: command 'gcc' failed` later in pip
# source: https://github.com/tecoholic/ner-annotator/issues/24
# lesson: lesson4
# expect: gcc-installed
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y curl
