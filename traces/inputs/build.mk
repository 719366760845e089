# build.mk: the make trace's makefile (traces/catalog.tsv): a made-up project of 100 sources
# in 10 directories, with pattern rules, computed variables and generated dependencies.
# `make -n` plans the whole build without running a command.
dirs := $(foreach d,0 1 2 3 4 5 6 7 8 9,src/dir$(d))
numbers := $(foreach a,0 1,$(foreach b,0 1 2 3 4,$(a)$(b)))
sources := $(foreach d,$(dirs),$(foreach n,$(numbers),$(d)/file$(n).c))
objects := $(patsubst src/%.c,obj/%.o,$(sources))
headers := $(sort $(foreach d,$(dirs),$(d)/common.h) $(addsuffix /config.h,$(dirs)))
libraries := $(foreach d,$(dirs),lib/lib$(notdir $(d)).a)
CFLAGS := -O2 $(addprefix -I,$(dirs)) $(if $(filter 5%,$(numbers)),-DFIVE)

all: bin/program

bin/program: $(libraries)
	cc -o $@ $(filter %.a,$^)

define library_rule
lib/lib$(notdir $(1)).a: $(filter obj/$(notdir $(1))/%,$(objects))
	ar rcs $$@ $$^
endef
$(foreach d,$(dirs),$(eval $(call library_rule,$(d))))

obj/%.o: src/%.c $(headers)
	cc $(CFLAGS) -c $< -o $@

$(sources) $(headers):
	@mkdir -p $(dir $@) && touch $@

.PHONY: all
