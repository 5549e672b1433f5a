# correct: apt-get over several lines with --yes, clean and list removal
# source: https://tech-en.netlify.app/articles/en516310
# source: https://pythonspeed.com/articles/official-python-docker-image/
# lesson: lesson7
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        gcc \
        libc6-dev \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
