"""Finding the specs of OpenKruise's e2e suite in its Go sources."""

from __future__ import annotations

from conformance.specs import Spec, parse_specs

GO = """package apps

var _ = ginkgo.Describe("CloneSet", ginkgo.Label("CloneSet", "workload"), func() {
	f := framework.NewDefaultFramework("clonesets")

	ginkgo.BeforeEach(func() {
		ns = f.Namespace.Name // a comment with ginkgo.It("not a spec", func() {
	})

	ginkgo.Context("CloneSet Scaling", func() {
		ginkgo.It("scales in normal cases", func() {
			s := "a } brace in a string"
			r := '}'
			_ = map[string]string{"k": "v"}
		})

		/*
		ginkgo.It("commented out", func() {})
		*/
		// ginkgo.It("also commented out", func() {
		ginkgo.It(`partition="99%", replicas=4`, func() {
			ginkgo.By("Create CloneSet")
		})
	})

	ginkgo.Context("Pending", func() {
		ginkgo.PIt("is pending", func() {})
		ginkgo.It("escaped \\"quotes\\"", func() {})
	})

	ginkgo.PDescribe("pending container", func() {
		ginkgo.It("inside a pending container", func() {})
	})
})

var _ = ginkgo.Describe("StatefulSet v1beta1", func() {
	ginkgo.Context("Non-retain", func() {
		ginkgo.It("should delete PVCs", func() {
			if v1alpha1.SkipIfNoDefaultStorageClass(c) {
				return
			}
			ginkgo.By("Creating statefulset")
		})

		ginkgo.It("recreates the PVC", func() {
			ctx := context.TODO()
			v1alpha1.SkipIfNoDefaultStorageClass(c)
		})
	})
})
"""


def test_every_it_with_its_line_and_containers() -> None:
    specs = parse_specs(GO, "v1alpha1/cloneset.go")
    assert [(s.line, s.containers, s.text) for s in specs] == [
        (11, ("CloneSet", "CloneSet Scaling"), "scales in normal cases"),
        (21, ("CloneSet", "CloneSet Scaling"), 'partition="99%", replicas=4'),
        (28, ("CloneSet", "Pending"), 'escaped "quotes"'),
        (38, ("StatefulSet v1beta1", "Non-retain"), "should delete PVCs"),
        (45, ("StatefulSet v1beta1", "Non-retain"), "recreates the PVC"),
    ]
    assert {s.file for s in specs} == {"v1alpha1/cloneset.go"}


def test_a_spec_that_returns_without_a_default_storage_class_is_marked() -> None:
    specs = {s.text: s for s in parse_specs(GO, "v1beta1/statefulset.go")}
    assert specs["should delete PVCs"].vacuous_without_storage_class
    # It skips nothing: the check's result is ignored, so the spec tests something.
    assert not specs["recreates the PVC"].vacuous_without_storage_class
    assert not specs["scales in normal cases"].vacuous_without_storage_class


def test_kind_version_and_the_focus_that_selects_exactly_one_spec() -> None:
    alpha = Spec("v1alpha1/cloneset.go", 345, "scales in normal cases", ("CloneSet", "Scaling"))
    beta = Spec("v1beta1/cloneset.go", 345, "scales in normal cases", ("CloneSet", "Scaling"))
    assert (alpha.kind, alpha.version) == ("CloneSet", "v1alpha1")
    assert (beta.kind, beta.version) == ("CloneSet", "v1beta1")
    assert Spec("v1beta1/advancedcronjob.go", 1, "x").kind == "AdvancedCronJob"
    assert Spec("v1beta1/statefulset.go", 1, "x").kind == "StatefulSet"
    # Same text, same line, other version: the file's folder tells them apart.
    assert alpha.focus_file() == r"/v1alpha1/cloneset\.go:345"
    assert beta.focus_file() == r"/v1beta1/cloneset\.go:345"
    assert alpha.full_text == "CloneSet Scaling scales in normal cases"
    assert alpha.location == "v1alpha1/cloneset.go:345"
