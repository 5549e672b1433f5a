# mistake: CMD ['/bin/sh', ...] with single quotes
# source: https://github.com/rcjsuen/dockerfile-language-service/issues/32
# lesson: lesson7
# expect: cmd-exec-form
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ['/bin/sh', './bin/run_dev.sh']
