# mistake: an unquoted $VARIABLE in the array makes it invalid JSON, so shell form
# source: https://github.com/docker/docs/issues/20440
# lesson: lesson7
# expect: cmd-exec-form
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
ENV PORT=4000
EXPOSE 4000
CMD ["./bin/run_dev.sh", $PORT]
