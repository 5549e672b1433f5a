# correct: HOST and PORT set explicitly to the script's defaults
# source: https://github.com/navapbc/template-application-flask/pull/71
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
ENV HOST=0.0.0.0 PORT=4000
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
