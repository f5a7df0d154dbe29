package store_test

import (
	"context"
	"fmt"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

func Example() {
	ctx := context.Background()
	st, err := store.Open("", store.Options{InMemory: true})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	st.CreateGroup(ctx, "us-east-1", store.Group{Name: "/aws/lambda/hello"})
	st.CreateStream(ctx, "us-east-1", "/aws/lambda/hello", "2026/01/01/[$LATEST]abc")
	st.PutEvents(ctx, "us-east-1", "/aws/lambda/hello", "2026/01/01/[$LATEST]abc", []store.Event{
		{Timestamp: 1767225600000, Message: []byte("START RequestId: 1")},
		{Timestamp: 1767225600001, Message: []byte("END RequestId: 1")},
	})
	it, _ := st.Events(ctx, "us-east-1", "/aws/lambda/hello", "2026/01/01/[$LATEST]abc", store.Range{})
	defer it.Close()
	for it.Next() {
		fmt.Printf("%d %s\n", it.Event().Timestamp, it.Event().Message)
	}
	// Output:
	// 1767225600000 START RequestId: 1
	// 1767225600001 END RequestId: 1
}
