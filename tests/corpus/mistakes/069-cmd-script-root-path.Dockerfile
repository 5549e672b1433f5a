# mistake: an absolute path to the script that is not where COPY put it
# source: https://github.com/jackbrycesmith/laravel-caprover-template/issues/2
# lesson: lesson7
# expect: cmd-program-exists
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["/bin/run_dev.sh"]
