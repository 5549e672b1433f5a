# correct: the Python version in an ARG before FROM
# source: https://github.com/promptfoo/promptfoo/pull/9771
# lesson: lesson7
ARG PYTHON_VERSION=3.13
FROM python:${PYTHON_VERSION}-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["./bin/run_dev.sh"]
