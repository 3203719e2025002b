// Command etcd is a tiny main around the etcd server library, pinned to the
// etcd version that the Kubernetes release in go.mod uses.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
