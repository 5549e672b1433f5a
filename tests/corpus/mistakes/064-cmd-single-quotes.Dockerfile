# mistake: single quotes: not JSON, so Docker runs it as a shell command
# source: https://github.com/moby/moby/issues/39199
# lesson: lesson7
# expect: cmd-exec-form
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ['./bin/run_dev.sh']
