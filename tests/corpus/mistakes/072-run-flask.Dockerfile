# mistake: RUN flask run: the build never ends
# source: https://github.com/mushorg/conpot/pull/318
# lesson: lesson7
# expect: server-not-in-run
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
RUN flask --app together.app run --host 0.0.0.0 --port 4000
