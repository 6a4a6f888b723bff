// @peculiar/x509 (X.509 certificates and CRLs over WebCrypto) with the Reflect metadata it needs loaded first.
import './reflect-metadata-shim';

export * from '@peculiar/x509';
