// @peculiar/x509 (X.509 certificates and CRLs over WebCrypto) with the Reflect metadata polyfill its dependency
// injection (tsyringe) needs loaded first.
import 'reflect-metadata';

export * from '@peculiar/x509';
