# mistake: bin/run_dev.sh saved with Windows line endings (CRLF): exec fails with "no such file or directory"
# source: https://github.com/jwasham/computer-science-flash-cards/issues/30
# source: https://github.com/testdrivenio/testdriven-app-2.4/issues/15
# lesson: lesson7
# expect: script-line-endings
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
