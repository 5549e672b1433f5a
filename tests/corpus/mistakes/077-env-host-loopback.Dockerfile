# mistake: ENV HOST=127.0.0.1: the server listens on the container's loopback only
# source: https://forums.docker.com/t/cant-access-to-server-starting-on-127-0-0-1-inside-docker-but-work-with-0-0-0-0/34709
# lesson: lesson7
# expect: app-answers
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
ENV HOST=127.0.0.1
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
