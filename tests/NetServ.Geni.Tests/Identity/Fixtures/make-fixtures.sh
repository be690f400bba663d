#!/bin/sh
# Makes the identity fixtures with openssl (3.x): a user certificate as the Emulab/CloudLab
# clearinghouse issues it (the user URN as a subjectAltName URI) and its key in every form read.
# The passphrase of the encrypted keys is "netserv-test". Run in this directory.
set -e
openssl genrsa -out key-pkcs8.pem 2048
openssl req -new -x509 -key key-pkcs8.pem -days 36500 -out cert.pem \
  -subj "/C=US/ST=Utah/O=Utah Network Testbed/OU=emulab.net/CN=alice/emailAddress=alice@example.org" \
  -addext "subjectAltName=URI:urn:publicid:IDN+emulab.net+user+alice,URI:urn:uuid:6b6e2c8a-0000-4000-8000-000000000001,email:alice@example.org"
# Legacy OpenSSL forms: "BEGIN RSA PRIVATE KEY", plain and with Proc-Type/DEK-Info.
openssl rsa -in key-pkcs8.pem -traditional -out key-rsa.pem
openssl rsa -in key-pkcs8.pem -traditional -des3 -passout pass:netserv-test -out key-rsa-des3.pem
openssl rsa -in key-pkcs8.pem -traditional -aes256 -passout pass:netserv-test -out key-rsa-aes256.pem
openssl pkcs8 -topk8 -in key-pkcs8.pem -v2 aes-256-cbc -passout pass:netserv-test -out key-pkcs8-encrypted.pem
# cloudlab.pem as the portal's "Download Credentials" gives it: the encrypted key, then the certificate.
cat key-rsa-des3.pem cert.pem > cloudlab.pem
# Another key, for a certificate that does not match.
openssl genrsa -traditional -out other-key-rsa.pem 2048
