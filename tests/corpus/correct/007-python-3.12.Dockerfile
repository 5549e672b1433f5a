# correct: another supported Python, 3.12
# source: https://github.com/OWASP/mas-website/pull/79
# lesson: lesson7
FROM python:3.12-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
