# mistake: the port of another tutorial (8000)
# source: https://github.com/docker/for-win/issues/6839
# lesson: lesson6
# expect: expose-port
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 8000
