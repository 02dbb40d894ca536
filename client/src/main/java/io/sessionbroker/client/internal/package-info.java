/** Implementation details of the client library; not API, may change in any release. */
package io.sessionbroker.client.internal;
