# correct: LABELs and PYTHONUNBUFFERED
# source: https://github.com/unbit/uwsgi/issues/2447
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
LABEL maintainer="learner@example.com" version="0.0.1"
ENV PYTHONUNBUFFERED=1
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
